// Hostile input from the board itself, with CI's budget: the properties themselves are in
// hostile-board-answers.properties.ts (`npm run fuzz` runs them with more).
import test from 'ava';
import { checkAsInCi } from '@layerfleet/test-support';
import { anyAnswerPayloadReadOrRefused, mutatedInfoAnswerReadOrRefused, validInfoReadBack, whateverTheBoardAnswers } from './hostile-board-answers.properties.js';

test('any answer payload decodes to a map or a BoardProtocolError, and parseInfo and uintField read it or refuse it', async (t) => {
  const outcomes = await checkAsInCi(anyAnswerPayloadReadOrRefused);
  t.deepEqual([...outcomes].sort(), ['ok', 'refused']);
});

test('mutations of a valid info answer are read or refused with BoardProtocolError', async (t) => {
  await checkAsInCi(mutatedInfoAnswerReadOrRefused);
  t.pass();
});

test('a valid info answer is read back exactly', async (t) => {
  await checkAsInCi(validInfoReadBack);
  t.pass();
});

test('whatever the board answers — answer, error answer, boot announcement, any payload — the request ends typed and nothing escapes the link', async (t) => {
  const kinds = await checkAsInCi(whateverTheBoardAnswers);
  t.true(kinds.has('BoardError') && kinds.has('BoardProtocolError') && kinds.has('ok') && kinds.has('refused'), [...kinds].join());
});
