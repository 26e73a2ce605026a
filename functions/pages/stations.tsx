/**
 * @module pages/stations
 * The county's broadcast stations (广播站) for admin, county office and staff: how each gets its
 * scripts (pushed to its receiver through SNS, waiting for the receiver to confirm the
 * subscription, failed with SNS's reason, or fetched by the station itself), when its receiver
 * last reported a push, when it last confirmed an airing, and when it was last in touch.
 */
import { Hono } from 'hono';
import { pushModeLabels } from '../domain/station-push.js';
import { utcToLocal } from '../domain/schedule.js';
import type { AppEnv } from '../http/env.js';
import { stationContacts } from '../workflows/stations.js';
import { Layout } from './layout.js';
import { pageFor } from './session.js';

export function stationListPages() {
  const pages = new Hono<AppEnv>();
  pages.use('/stations', pageFor('admin', 'county', 'staff'));

  pages.get('/stations', async (c) => {
    const { store, clock, config, stationSubscriptions } = c.var.deps;
    const stations = await stationContacts({ store, config, now: clock(), subscriptions: stationSubscriptions }, c.var.caller.county);
    const local = (iso: string | undefined) => (iso ? utcToLocal(iso, config.timeZone).slice(0, 16).replace('T', ' ') : '—');
    const pushed = stations.filter((station) => station.push.mode === 'subscribed').length;
    return c.html(
      <Layout title="广播站" caller={c.var.caller} path="/app/stations">
        <p class="muted">
          共 {stations.length} 个广播站，其中 {pushed} 个已订阅推送（稿件由 SNS 推送到站里的接收端，接收端验证签名后播出并回报）；其余自行打开播出任务页取稿。
        </p>
        <table>
          <thead>
            <tr>
              <th scope="col">广播站</th>
              <th scope="col">取稿方式</th>
              <th scope="col">上次收到推送</th>
              <th scope="col">上次确认播出</th>
              <th scope="col">上次联系</th>
            </tr>
          </thead>
          <tbody>
            {stations.map((station) => (
              <tr id={`station-${station.id}`}>
                <td>
                  {station.name}
                  <div class="muted" style="font-size:.85rem">
                    {station.id} · {station.village}
                  </div>
                </td>
                <td>
                  <span class="state">{pushModeLabels[station.push.mode]}</span>
                  {station.push.endpoint && (
                    <div class="muted" style="font-size:.85rem;word-break:break-all">
                      {station.push.endpoint}
                    </div>
                  )}
                  {station.push.error && (
                    <div class="flash err" style="font-size:.85rem;margin:.25rem 0 0;padding:.25rem .5rem">
                      {station.push.mode === 'failed' ? '订阅失败：' : '查询订阅状态出错：'}
                      {station.push.error}
                    </div>
                  )}
                </td>
                <td>{local(station.lastPushReceivedAt)}</td>
                <td>{local(station.lastAiringConfirmedAt)}</td>
                <td>
                  {local(station.lastContactAt)}
                  {station.contactedToday ? '' : <div class="muted" style="font-size:.85rem">今天未联系</div>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <p class="muted" style="font-size:.85rem">
          推送地址在登记册中设置（PUT /registry 的 pushEndpoint，或导入广播站 CSV 的“推送地址”列）。“等待接收端确认”的订阅在 48 小时内未确认会被 SNS 删除，届时显示为订阅失败；再次保存该广播站即重新订阅。
        </p>
      </Layout>,
    );
  });
  return pages;
}
