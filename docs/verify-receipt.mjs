// Checks an audit receipt offline with nothing but Node.js 20+ (no npm packages):
//   node docs/verify-receipt.mjs proof.json <expected log id> [<leaf hash from the Audit-Receipt header>]
// proof.json is what GET /api/v1/admin/audit/proof/inclusion?leaf_hash=...&time=... answered: the inclusion proof of one
// record and the signed checkpoint of that tree size; the log id is the one you trust, learnt out of band
// (from /.well-known/audit-log-key on a day you trusted the gateway, never from the file itself).
// Prints "ok: ..." and exits 0, or prints why not and exits 1.
import { createHash, createPublicKey, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';

const fail = (reason) => { console.log(`not ok: ${reason}`); process.exit(1); };
process.on('uncaughtException', (error) => fail(error.message)); // unreadable file, bad JSON, missing field
const [proofFile, expectedLogId, receiptLeafHash] = process.argv.slice(2);
if (!expectedLogId) fail('usage: node docs/verify-receipt.mjs <proof.json> <expected log id> [<receipt leaf hash>]');
const proof = JSON.parse(readFileSync(proofFile, 'utf8'));
const cp = proof.checkpoint ?? fail('the proof carries no checkpoint: ask without "size", or for a checkpoint\'s size');
if (receiptLeafHash && proof.leaf_hash !== receiptLeafHash) fail(`the proof is for leaf hash ${proof.leaf_hash}, not ${receiptLeafHash}`);
const sha256 = (...parts) => createHash('sha256').update(Buffer.concat(parts)).digest();
const hash = (hex) => /^[0-9a-f]{64}$/.test(hex) ? Buffer.from(hex, 'hex') : fail(`not a lowercase hex SHA-256: ${hex}`);

// 1. The checkpoint: log id = SHA-256 of the key's SPKI DER, and the key signed exactly these bytes (ES256, r||s).
const spki = Buffer.from(cp.public_key, 'base64');
if (sha256(spki).toString('hex') !== cp.log_id) fail('log_id is not the SHA-256 of public_key');
if (cp.log_id !== expectedLogId) fail(`the checkpoint is of log ${cp.log_id}, not ${expectedLogId}`);
if (!Number.isSafeInteger(cp.tree_size) || cp.tree_size < 0) fail(`bad tree_size: ${cp.tree_size}`);
if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(cp.time)) fail(`bad time: ${cp.time}`);
const root = hash(cp.root_hash);
const text = `audit-checkpoint/v1\nlog ${cp.log_id}\nsize ${cp.tree_size}\nroot ${cp.root_hash}\ntime ${cp.time}\n`;
const key = createPublicKey({ key: spki, format: 'der', type: 'spki' });
if (key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') fail('public_key is not a P-256 key');
const signature = Buffer.from(cp.signature, 'base64');
if (!verify('sha256', Buffer.from(text, 'utf8'), { key, dsaEncoding: 'ieee-p1363' }, signature)) fail('the checkpoint signature does not verify');

// 2. The proof is for this log and size, and its audit path takes the leaf hash to the signed root (RFC 9162 §2.1.3.2).
if (proof.log_id !== cp.log_id || proof.tree_size !== cp.tree_size) fail('the inclusion proof is not for this checkpoint');
let [fn, sn] = [BigInt(proof.leaf_index), BigInt(proof.tree_size) - 1n]; // BigInt: JS bit operators are 32-bit on numbers
if (fn < 0n || fn > sn) fail(`leaf_index ${proof.leaf_index} is outside a tree of ${proof.tree_size}`);
let r = hash(proof.leaf_hash);
for (const p of proof.audit_path.map(hash)) {
  if (sn === 0n) fail('the audit path is too long');
  if ((fn & 1n) === 1n || fn === sn) {
    r = sha256(Buffer.of(1), p, r);
    while ((fn & 1n) === 0n && fn !== 0n) [fn, sn] = [fn >> 1n, sn >> 1n];
  } else {
    r = sha256(Buffer.of(1), r, p);
  }
  [fn, sn] = [fn >> 1n, sn >> 1n];
}
if (sn !== 0n || !r.equals(root)) fail('the audit path does not lead to the signed root');
console.log(`ok: leaf ${proof.leaf_index} is in the log ${cp.log_id} at size ${cp.tree_size}`);
