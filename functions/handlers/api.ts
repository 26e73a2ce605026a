/**
 * @module handlers/api
 * The API Lambda: the Hono app behind an API Gateway HTTP API (payload format 2.0).
 */
import { handle } from 'hono/aws-lambda';
import { createApp } from '../app.js';
import { depsFromEnvironment } from './deps.js';

const app = createApp(depsFromEnvironment(process.env));

export const handler = handle(app);
