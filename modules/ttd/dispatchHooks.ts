import type { Transaction } from 'sequelize';
import type { OutgoingLetter } from '../../models';
import type { AnyActor } from '../../platform/actor';

/**
 * What other modules do when a signed letter is sent, inside the dispatcher's transaction (so a
 * failure undoes the dispatch too). A module that cares registers once, when it loads: the domain
 * module closes the case whose report letter this is (modules/domain/domainCases.ts). The
 * dispatcher knows no module above it; the hooks run in the order they were registered.
 */
export type DispatchHook = (t: Transaction, actor: AnyActor, letter: OutgoingLetter) => Promise<void>;

const hooks: DispatchHook[] = [];

export function afterDispatch(hook: DispatchHook): void {
  if (!hooks.includes(hook)) hooks.push(hook);
}

export async function runDispatchHooks(t: Transaction, actor: AnyActor, letter: OutgoingLetter): Promise<void> {
  for (const hook of hooks) await hook(t, actor, letter);
}
