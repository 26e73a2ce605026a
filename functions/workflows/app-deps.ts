/**
 * @module workflows/app-deps
 * What the notice workflows need of the app's dependencies, for a route or a page: one place, so
 * the API and the pages reach the same engines (speech, WeChat, images).
 */
import type { WorkflowDeps } from './notices.js';
import type { AppDeps } from '../http/env.js';

export function workflowDeps(deps: AppDeps): WorkflowDeps {
  return { store: deps.store, config: deps.config, now: deps.clock(), speech: deps.speech, wechat: deps.wechat, images: deps.images };
}
