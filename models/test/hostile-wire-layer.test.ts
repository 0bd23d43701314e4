// Hostile input for layerFromWire and the model file decoder, with CI's budget: the properties
// themselves are in hostile-wire-layer.properties.ts (`npm run fuzz` runs them with more).
import test from 'ava';
import { checkAsInCi } from '@layerfleet/test-support';
import {
  acceptedLayersRun, anyFieldsAnySpecIsLayerOrError, anythingIsLayerOrError, fittingLayersRoundTrip, modelFileBytesAreModelOrError, oneFieldReplacedIsLayerOrError,
} from './hostile-wire-layer.properties.js';

test('anything at all, as decoded from CBOR, is a layer or an Error', async (t) => {
  await checkAsInCi(anythingIsLayerOrError);
  await checkAsInCi(anyFieldsAnySpecIsLayerOrError);
  t.pass();
});

test('a valid wire layer with one field — of the layer, its spec or its pool — replaced by anything or removed is a runnable layer or an Error', async (t) => {
  const outcomes = await checkAsInCi(oneFieldReplacedIsLayerOrError);
  t.deepEqual([...outcomes].sort(), ['ok', 'refused']);
});

test('every layer layerFromWire accepts can run — kernels and pools that do not fit their input are refused', async (t) => {
  const { refused } = await checkAsInCi(acceptedLayersRun);
  t.true(refused > 0);
});

test('layers that fit survive layerToWire → CBOR → layerFromWire exactly', async (t) => {
  await checkAsInCi(fittingLayersRoundTrip);
  t.pass();
});

test('arbitrary bytes as a model file are a model or an Error', async (t) => {
  await checkAsInCi(modelFileBytesAreModelOrError);
  t.pass();
});
