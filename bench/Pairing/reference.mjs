// Reference side of `dotnet run -c Release --project bench -- compare pairing`.
// Measures @chainsafe/blst (native blst) and @noble/curves (pure JS) on the inputs the engine wrote, with the
// same method as the engine side (calibrated rounds, median per call), and prints one JSON object on stdout.
// Usage: node reference.mjs <inputs.json> <rounds> <roundMs>
import { readFileSync } from 'node:fs';
import blst from '@chainsafe/blst';
import { bls12_381 as bls } from '@noble/curves/bls12-381.js';

const [inputPath, roundsArg, roundMsArg] = process.argv.slice(2);
const input = JSON.parse(readFileSync(inputPath, 'utf8'));
const rounds = Number(roundsArg), roundMs = Number(roundMsArg);
const hex = (h) => Uint8Array.from(Buffer.from(h, 'hex'));
const DST = input.dst;

const sk = hex(input.secretKey);
const msgs = input.messages.map(hex);
const pkBytes = input.publicKeys.map(hex);
const sigBytes = hex(input.signature);          // signature of msgs[0] under publicKeys[0]
const aggBytes = hex(input.aggregateSignature); // aggregate of the signatures of msgs[i] under publicKeys[i]

// blst objects
const bSk = blst.SecretKey.fromBytes(sk);
const bPks = pkBytes.map((b) => blst.PublicKey.fromBytes(b, true));
const bSig = blst.Signature.fromBytes(sigBytes, true);
const bAgg = blst.Signature.fromBytes(aggBytes, true);

// noble objects
const nG1 = bls.G1.Point, nG2 = bls.G2.Point;
const nK = BigInt('0x' + input.scalar);
const nPks = pkBytes.map((b) => nG1.fromBytes(b));
const nSig = nG2.fromBytes(sigBytes);
const nAgg = nG2.fromBytes(aggBytes);
const nMsgPoints = msgs.map((m) => bls.G2.hashToCurve(m, { DST }));
const nP = nPks[0], nQ = nSig;
const nMl = bls.pairing(nP, nQ, false);
const nPairs8 = nPks.map((p, i) => ({ g1: p, g2: nMsgPoints[i] }));

// Cross-checks: the engine's signatures must verify here, or the comparison is meaningless.
const checks = {
  blstVerify: blst.verify(msgs[0], bPks[0], bSig, true, true),
  blstAggregateVerify: blst.aggregateVerify(msgs, bPks, bAgg, true, true),
  blstPublicKey: Buffer.from(bSk.toPublicKey().toBytes(true)).toString('hex') === input.publicKeys[0],
  nobleVerify: bls.longSignatures.verify(nSig, nMsgPoints[0], nPks[0]),
};

const ops = {
  g1_mul:            { blst: () => bSk.toPublicKey(), noble: () => nG1.BASE.multiply(nK).toAffine() },
  g1_mul_fixed:      { blst: () => bSk.toPublicKey() },
  g2_mul:            { noble: () => nQ.multiply(nK).toAffine() },
  hash_to_g1:        { noble: () => bls.G1.hashToCurve(msgs[0], { DST }).toAffine() },
  hash_to_g2:        { noble: () => bls.G2.hashToCurve(msgs[0], { DST }).toAffine() },
  sign:              { blst: () => bSk.sign(msgs[0]), noble: () => bls.longSignatures.sign(bls.G2.hashToCurve(msgs[0], { DST }), sk) },
  pairing:           { noble: () => bls.pairing(nP, nQ) },
  miller_loop:       { noble: () => bls.pairing(nP, nQ, false) },
  final_exp:         { noble: () => bls.fields.Fp12.finalExponentiate(nMl) },
  pairing_product_8: { noble: () => bls.pairingBatch(nPairs8) },
  verify:            { blst: () => blst.verify(msgs[0], bPks[0], bSig, false, false),
                       noble: () => bls.longSignatures.verify(nSig, bls.G2.hashToCurve(msgs[0], { DST }), nPks[0]) },
  aggregate_verify_8:{ blst: () => blst.aggregateVerify(msgs, bPks, bAgg, false, false) },
  g1_decode:         { blst: () => blst.PublicKey.fromBytes(pkBytes[0], true), noble: () => nG1.fromBytes(pkBytes[0]) },
  g2_decode:         { blst: () => blst.Signature.fromBytes(sigBytes, true), noble: () => nG2.fromBytes(sigBytes) },
};

function measure(fn) {
  fn();
  let k = 0; const t0 = performance.now();
  while (performance.now() - t0 < 20 || k < 2) { fn(); k++; }
  const iterations = Math.max(1, Math.floor(k * roundMs / Math.max(1, performance.now() - t0)));
  const samples = [];
  for (let r = 0; r < rounds; r++) {
    const s = performance.now();
    for (let i = 0; i < iterations; i++) fn();
    samples.push((performance.now() - s) * 1000 / iterations);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)];
}

const results = {};
const only = input.only ? new Set(input.only) : null;   // a comparison that needs a few rows names them
for (const [name, impls] of Object.entries(ops)) {
  if (only && !only.has(name)) continue;
  results[name] = {};
  for (const [lib, fn] of Object.entries(impls)) {
    if (lib === 'noble' && input.skipNoble) continue;
    results[name][lib] = measure(fn);
  }
}
process.stdout.write(JSON.stringify({ checks, results, versions: { node: process.version } }));
