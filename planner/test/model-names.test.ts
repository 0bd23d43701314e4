import test from 'ava';
import { canonicalModelName, modelIndex, paperHyperParameters, privacyLevelName, PRIVACY_LEVELS, StateEncoder, workloadOfModel } from '../src/index.js';

test('lenet is lenet5 (and cifar, vgg the zoo names) wherever a model is looked up by name', (t) => {
  t.is(canonicalModelName('lenet'), 'lenet5');
  t.is(canonicalModelName('lenet5'), 'lenet5');
  t.is(canonicalModelName('m6'), 'm6');
  t.is(workloadOfModel('lenet5'), 'lenet');
  t.is(workloadOfModel('lenet'), 'lenet');
  t.is(workloadOfModel('cifarCnn'), 'cifar');
  t.is(workloadOfModel('resnet'), undefined);
  t.is(modelIndex(['lenet5', 'cifarCnn', 'vgg16'], 'lenet'), 0);
  t.is(modelIndex(['lenet', 'lenet5'], 'lenet'), 0, 'a policy that lists the alias itself matches it first');
  const enc = new StateEncoder(['lenet5', 'cifarCnn', 'vgg16'], 4, 10);
  const inst = (name: string) => ({ requestRate: 1, privacy: PRIVACY_LEVELS.none!, source: 's', sourceMayComputeMiddle: false, model: { name, layers: [] }, devices: [] });
  t.is(enc.unfit(inst('lenet')), null);
  t.regex(enc.unfit(inst('resnet'))!, /model resnet is not among the trained models/);
  t.deepEqual(paperHyperParameters('vgg', 'none'), paperHyperParameters('vgg16', 'none'));
  t.is(privacyLevelName({ maxExposedFraction: 0.5, minHidden: 0 }), 'half');
  t.is(privacyLevelName({ maxExposedFraction: 0.4, minHidden: 0 }), undefined);
});
