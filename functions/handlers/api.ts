/**
 * @module handlers/api
 * The API Lambda: the Hono app behind an API Gateway HTTP API (payload format 2.0).
 */
import { handle } from 'hono/aws-lambda';
import { createApp } from '../app.js';
import { depsFromEnvironment } from './deps.js';

// Top-level await: the cold start reads the phone-key secret once, before the first request.
const app = createApp(await depsFromEnvironment(process.env));

export const handler = handle(app);
