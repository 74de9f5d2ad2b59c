// A second, independent implementation of Protocol 3's proof (SPEC.md §3.4–3.5) on @noble/curves, so the engine's
// encodings, transcript, challenge hash and session key can be checked byte for byte. Nothing here comes from the
// engine's code: only SPEC.md.
// Usage: node iot-auth.mjs <input.json>   (prints one JSON object on stdout)
//   input:  { "verify": [ { "w", "ch", "proof" } ], "prove": [ { "a", "m", "w", "ch" } ] }   (hex strings)
//   output: { "verify": [ "ok" | reason ], "prove": [ { "proof", "keyEnc", "keyMac", "th" } ] }
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { bls12_381 as bls } from '@noble/curves/bls12-381.js';
import { hash_to_field } from '@noble/curves/abstract/hash-to-curve.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { hkdf } from '@noble/hashes/hkdf.js';

const G1 = bls.G1.Point, G2 = bls.G2.Point;
const r = bls.fields.Fr.ORDER;
const enc = (s) => new TextEncoder().encode(s);
const hex = (h) => Uint8Array.from(Buffer.from(h, 'hex'));
const toHex = (b) => Buffer.from(b).toString('hex');
const concat = (...parts) => { const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0)); let o = 0; for (const p of parts) { out.set(p, o); o += p.length; } return out; };
const scalar = (b) => BigInt('0x' + toHex(b));
const scalarBytes = (x) => hex(x.toString(16).padStart(64, '0'));
const mod = (x) => ((x % r) + r) % r;
const randomScalar = () => { for (;;) { const x = scalar(randomBytes(32)) % r; if (x !== 0n) return x; } };
const Hc = (msg) => hash_to_field(msg, 1, { DST: 'ENGINE-V1/iot-auth/H_c', p: r, m: 1, k: 128, expand: 'xmd', hash: sha256 })[0][0];

// CH = N_OC (32) ‖ T (8) ‖ Y_OC (48) ‖ len (2) ‖ OC-id
function parseChallenge(ch) {
  if (ch.length < 90) throw new Error('CH too short');
  const len = (ch[88] << 8) | ch[89];
  if (len === 0 || ch.length !== 90 + len) throw new Error('CH length field');
  return { nonce: ch.slice(0, 32), time: ch.slice(32, 40), yOc: ch.slice(40, 88), lenAndId: ch.slice(88) };
}

function point(bytes, allowIdentity) {
  const p = G1.fromBytes(bytes);          // checks the encoding, the curve and the subgroup
  if (!allowIdentity && p.equals(G1.ZERO)) throw new Error('identity');
  return p;
}

function challengeOf(proof, c) {
  // c = H_c(A' ‖ Ā ‖ T1 ‖ Y_OC ‖ Y_D ‖ N_OC ‖ T ‖ len ‖ OC-id)
  return Hc(concat(proof.slice(0, 144), c.yOc, proof.slice(208, 256), c.nonce, c.time, c.lenAndId));
}

function verify(w, ch, proof) {
  if (proof.length !== 256) return 'BadLength';
  let c, aPrime, aBar, t1, yD;
  try {
    c = parseChallenge(ch);
    point(c.yOc, false);
    aPrime = point(proof.slice(0, 48), false);
    aBar = point(proof.slice(48, 96), false);
    t1 = point(proof.slice(96, 144), true);
    yD = point(proof.slice(208, 256), false);
  } catch (e) { return 'decode: ' + e.message; }
  const s1 = scalar(proof.slice(144, 176)), s2 = scalar(proof.slice(176, 208));
  if (s1 >= r || s2 >= r) return 'scalar';
  const e = challengeOf(proof, c);
  // g1^s1 · (A'^-1)^s2 = T1 · Ā^c
  const lhs = G1.BASE.multiply(s1 === 0n ? r : s1).add(aPrime.negate().multiply(s2 === 0n ? r : s2));
  const rhs = t1.add(aBar.multiply(e === 0n ? r : e));
  if (!lhs.equals(rhs)) return 'sigma';
  // e(Ā, g2) = e(A', W)
  const W = G2.fromBytes(w);
  if (!bls.fields.Fp12.eql(bls.pairing(aBar, G2.BASE), bls.pairing(aPrime, W))) return 'pairing';
  return 'ok';
}

function prove(A, m, w, ch) {
  const c = parseChallenge(ch);
  const tag = point(A, false), W = G2.fromBytes(w), yOc = point(c.yOc, false);
  // The tag must verify: e(A, W·g2^m) = e(g1, g2).
  if (!bls.fields.Fp12.eql(bls.pairing(tag, W.add(G2.BASE.multiply(m))), bls.pairing(G1.BASE, G2.BASE))) throw new Error('bad tag');
  const rho = randomScalar(), b = randomScalar(), k1 = randomScalar(), k2 = randomScalar();
  const aPrime = tag.multiply(rho);
  const aBar = G1.BASE.add(tag.multiply(mod(-m))).multiply(rho);       // B^ρ with B = g1·A^(−m)
  const t1 = G1.BASE.multiply(k1).add(aPrime.negate().multiply(k2));
  const yD = G1.BASE.multiply(b);
  const proof = new Uint8Array(256);
  proof.set(aPrime.toBytes(true), 0);
  proof.set(aBar.toBytes(true), 48);
  proof.set(t1.toBytes(true), 96);
  proof.set(yD.toBytes(true), 208);
  const e = challengeOf(proof, c);
  proof.set(scalarBytes(mod(k1 + e * rho)), 144);
  proof.set(scalarBytes(mod(k2 + e * m)), 176);
  // th = SHA-256(CH ‖ proof); K = HKDF-SHA256(enc(Y_OC^b), no salt, "ENGINE-V1/iot-auth/session" ‖ th, 64)
  const th = sha256(concat(ch, proof));
  const k = hkdf(sha256, yOc.multiply(b).toBytes(true), undefined, concat(enc('ENGINE-V1/iot-auth/session'), th), 64);
  return { proof: toHex(proof), keyEnc: toHex(k.slice(0, 32)), keyMac: toHex(k.slice(32)), th: toHex(th) };
}

const input = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const out = {
  verify: (input.verify ?? []).map((v) => verify(hex(v.w), hex(v.ch), hex(v.proof))),
  prove: (input.prove ?? []).map((p) => prove(hex(p.a), BigInt('0x' + p.m), hex(p.w), hex(p.ch))),
};
process.stdout.write(JSON.stringify(out));
