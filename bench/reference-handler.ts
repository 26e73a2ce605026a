/**
 * @module bench/reference-handler
 * The cold-start yardstick: the least an API handler of this shape carries — Hono behind API
 * Gateway, a zod schema, the DynamoDB document client — bundled with the same options as pufa's
 * handlers. bench/cold-start.ts compares the API handler's import with this one's.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { Hono } from 'hono';
import { handle } from 'hono/aws-lambda';
import { z } from 'zod';

const documents = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const itemParams = z.object({ id: z.string().min(1).max(64) });

const app = new Hono();
app.get('/items/:id', async (c) => {
  const { id } = itemParams.parse(c.req.param());
  const { Item } = await documents.send(new GetCommand({ TableName: process.env.TABLE_NAME, Key: { id } }));
  return Item ? c.json(Item) : c.notFound();
});

export const handler = handle(app);
