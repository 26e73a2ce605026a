/**
 * @module pages/charts
 * Bar charts drawn as SVG on the server: no script, readable by screen readers (each chart has a
 * title and a table of its values beside it), printable.
 */
export interface Bar {
  label: string;
  value: number;
  /** An optional second value drawn lighter beside it (last year). */
  compare?: number;
}

const FONT_PIXELS = 14;
const LABEL_GAP = 12;
const MIN_LABEL_WIDTH = 60;
const MAX_LABEL_WIDTH = 210;

/** A label's width at 14 px, near enough: a CJK character is a full em, Latin letters and digits about half. */
function labelPixels(label: string): number {
  return Array.from(label).reduce((sum, character) => sum + ((character.codePointAt(0) ?? 0) > 0x2e80 ? FONT_PIXELS : FONT_PIXELS * 0.6), 0);
}

export function BarChart(props: { title: string; bars: Bar[]; unit: string; id: string }) {
  // A narrow canvas: the chart is drawn into a card a third of the page wide, and its text must stay readable.
  const width = 420;
  // Labels as wide as the widest needs (a theme may be 促进民营经济健康发展), up to half the canvas;
  // a longer one moves every label onto its own line above its bar rather than being cut off.
  const widest = Math.max(0, ...props.bars.map((bar) => labelPixels(bar.label)));
  const stacked = widest + LABEL_GAP > MAX_LABEL_WIDTH;
  const labelWidth = stacked ? 0 : Math.max(MIN_LABEL_WIDTH, widest + LABEL_GAP);
  const labelHeight = stacked ? 18 : 0;
  const rowHeight = 24 + labelHeight;
  const max = Math.max(1, ...props.bars.flatMap((bar) => [bar.value, bar.compare ?? 0]));
  const height = Math.max(1, props.bars.length) * rowHeight + 10;
  const scale = (value: number) => Math.round(((width - labelWidth - 60) * value) / max);
  return (
    <figure class="card" style="margin:0 0 1rem">
      <figcaption style="font-weight:600;margin-bottom:.5rem" id={`${props.id}-title`}>
        {props.title}
      </figcaption>
      {props.bars.length === 0 ? (
        <p class="muted">暂无数据。登记活动或发送后，这里会显示统计图。</p>
      ) : (
        <svg viewBox={`0 0 ${width} ${height}`} width="100%" role="img" aria-labelledby={`${props.id}-title`} style="max-width:100%">
          {props.bars.map((bar, index) => {
            const top = index * rowHeight + 5;
            const y = top + labelHeight;
            return (
              <g>
                {stacked ? (
                  <text x={0} y={top + 14} text-anchor="start" font-size="14">
                    {bar.label}
                  </text>
                ) : (
                  <text x={labelWidth - 6} y={y + 15} text-anchor="end" font-size="14">
                    {bar.label}
                  </text>
                )}
                {bar.compare !== undefined && <rect x={labelWidth} y={y + 14} width={scale(bar.compare)} height={6} fill="#d0d7de" />}
                <rect x={labelWidth} y={y + 2} width={scale(bar.value)} height={bar.compare !== undefined ? 11 : 18} fill="#8b1a1a" />
                <text x={labelWidth + scale(bar.value) + 6} y={y + 14} font-size="13">
                  {bar.value.toLocaleString('zh-CN')}
                  {props.unit}
                </text>
              </g>
            );
          })}
        </svg>
      )}
    </figure>
  );
}
