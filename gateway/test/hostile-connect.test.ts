// Hostile input at the broker's door (the CONNECT triple, then topic names and filters), with CI's
// budget: the properties themselves are in hostile-connect.properties.ts (`npm run fuzz` runs them with more).
import test from 'ava';
import { checkAsInCi } from '@layerfleet/test-support';
import { enrolledState, noSubscriptionReachesAnotherInbox, onlyTheRightCredentialGetsARole } from './hostile-connect.properties.js';

test('any CONNECT triple gets a role only with exactly the right credential, otherwise a reason', async (t) => {
  const state = await enrolledState.start();
  t.teardown(() => enrolledState.stop(state));
  const roles = await checkAsInCi(onlyTheRightCredentialGetsARole, state);
  t.deepEqual([...roles].sort(), ['dashboard', 'device', 'enrolling']);
});

test('no role may subscribe to another device\'s inbox, with or without wildcards; ACL checks never throw', async (t) => {
  await checkAsInCi(noSubscriptionReachesAnotherInbox);
  t.pass();
});
