import { createHash } from 'node:crypto';
import test from 'ava';
import { EMPTY_ROOT, MerkleTree, leafHash, verifyInclusion } from '../src/index.js';
import { hex } from '@layerfleet/test-support';

const unhex = (h: string) => new Uint8Array(Buffer.from(h, 'hex'));
const sha = (...parts: Uint8Array[]) => { const h = createHash('sha256'); for (const p of parts) h.update(p); return new Uint8Array(h.digest()); };

/** RFC 6962 §2.1 MTH written out from the definition, independent of merkle.ts. */
function mth(data: Uint8Array[]): Uint8Array {
  if (data.length === 0) return sha();
  if (data.length === 1) return sha(Uint8Array.of(0), data[0]!);
  let k = 1;
  while (k * 2 < data.length) k *= 2;
  return sha(Uint8Array.of(1), mth(data.slice(0, k)), mth(data.slice(k)));
}

// The Certificate Transparency reference vectors (C++ merkle_tree_test, also in transparency-dev/merkle):
// leaf inputs, then MTH of the first n of them for n = 1..8, and two inclusion paths.
const CT_INPUTS = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map(unhex);
const CT_ROOTS = [
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];
const CT_PATHS = [
  { index: 0, path: ['96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7', '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4'] },
  { index: 5, path: ['bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b', 'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0', 'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7'] },
];

test('roots and inclusion paths match the Certificate Transparency reference vectors', (t) => {
  t.is(hex(EMPTY_ROOT), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  t.is(hex(new MerkleTree().root()), hex(EMPTY_ROOT));
  const tree = new MerkleTree();
  CT_INPUTS.forEach((d, i) => {
    tree.push(d);
    t.is(hex(tree.root()), CT_ROOTS[i]!, `size ${i + 1}`);
  });
  for (const v of CT_PATHS) {
    const proof = tree.proof(v.index);
    t.deepEqual(proof.path.map(hex), v.path, `leaf ${v.index}`);
    t.true(verifyInclusion(CT_INPUTS[v.index]!, proof, unhex(CT_ROOTS[7]!)));
  }
});

test('the incremental root equals a from-the-definition MTH for sizes 1..20, and every older root too', (t) => {
  const data = Array.from({ length: 20 }, (_, i) => sha(Uint8Array.of(i, 7)));
  const tree = new MerkleTree();
  for (let n = 1; n <= 20; n++) {
    tree.push(data[n - 1]!);
    t.is(hex(tree.root()), hex(mth(data.slice(0, n))), `size ${n}`);
    t.is(hex(tree.rootAt(n)), hex(tree.root()), `rootAt ${n}`);
  }
  for (let m = 0; m <= 20; m++) t.is(hex(tree.rootAt(m)), hex(mth(data.slice(0, m))));
});

test('every inclusion proof verifies for sizes 1..20; a wrong leaf, index, size, root or path does not', (t) => {
  const data = Array.from({ length: 20 }, (_, i) => sha(Uint8Array.of(i)));
  const tree = new MerkleTree();
  data.forEach((d) => tree.push(d));
  for (let size = 1; size <= 20; size++) {
    const root = tree.rootAt(size);
    for (let i = 0; i < size; i++) {
      const proof = tree.proof(i, size);
      t.true(verifyInclusion(data[i]!, proof, root), `${i} of ${size}`);
      t.false(verifyInclusion(data[(i + 1) % 20]!, proof, root), `wrong leaf ${i} of ${size}`);
      t.false(verifyInclusion(leafHash(data[i]!), proof, root), 'a leaf hash is not an entry hash (no second preimage across levels)');
      t.false(verifyInclusion(data[i]!, proof, sha(root)), 'wrong root');
      if (size > 1) {
        t.false(verifyInclusion(data[i]!, { ...proof, index: (i + 1) % size }, root), 'wrong index');
        t.false(verifyInclusion(data[i]!, { ...proof, path: proof.path.slice(1) }, root), 'short path');
        t.false(verifyInclusion(data[i]!, { ...proof, path: [...proof.path, root] }, root), 'long path');
        const bent = proof.path.map((p) => new Uint8Array(p));
        bent[0]![5]! ^= 1;
        t.false(verifyInclusion(data[i]!, { ...proof, path: bent }, root), 'altered path');
      }
    }
  }
  t.false(verifyInclusion(data[0]!, { index: 3, size: 3, path: [] }, tree.rootAt(3)), 'index outside the tree');
  t.throws(() => tree.proof(20), { instanceOf: RangeError });
  t.throws(() => tree.proof(0, 21), { instanceOf: RangeError });
});
