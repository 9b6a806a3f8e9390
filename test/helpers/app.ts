import supertest from 'supertest';
import type { Express } from 'express';
import { expect } from 'chai';
import { createApp } from '../../app';
import { db } from '../../platform/db';
import { DEMO_PASSWORD } from '../../seed/demo';

let handle: { app: Express; close(): void } | null = null;

/** The Express app over the test database, built once per run. */
export function app(): Express {
  if (!handle) handle = createApp(db());
  return handle.app;
}
export function closeApp(): void { handle?.close(); handle = null; }

export type Agent = ReturnType<typeof supertest.agent>;

/** The CSRF token of the page at `url`, for the agent's session. */
export async function csrfOf(agent: Agent, url = '/masuk'): Promise<string> {
  const res = await agent.get(url);
  const m = /name="_csrf" value="([^"]+)"/.exec(res.text);
  if (!m) throw new Error(`no CSRF token on ${url} (status ${res.status})`);
  return m[1];
}

/** A supertest agent signed in as `login` (username or NIP). */
export async function signIn(login: string, password = DEMO_PASSWORD): Promise<Agent> {
  const agent = supertest.agent(app());
  const token = await csrfOf(agent, '/masuk');
  const res = await agent.post('/masuk').type('form').send({ _csrf: token, login, password });
  expect(res.status, `sign-in of ${login} failed: ${res.text.slice(0, 300)}`).to.equal(302);
  return agent;
}

/** Plain text of an HTML page, whitespace collapsed, for assertions on what a user reads. */
export const textOf = (html: string): string =>
  html.replace(/<script[\s\S]*?<\/script>/g, '').replace(/<[^>]+>/g, ' ').replace(/&#39;/g, "'").replace(/&#34;|&quot;/g, '"').replace(/&amp;/g, '&').replace(/\s+/g, ' ');
