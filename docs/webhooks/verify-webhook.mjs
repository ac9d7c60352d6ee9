// Verify a production-test webhook in Node (18+), no dependencies.
// Usage: WEBHOOK_SECRET=whsec_... WEBHOOK_SIGNATURE='t=...,v1=...' node verify-webhook.mjs body.json
import { createHmac, timingSafeEqual } from "node:crypto";
import { readFileSync } from "node:fs";

export function verifyWebhook(secret, header, rawBody, nowSeconds = Math.floor(Date.now() / 1000)) {
  const parts = (header ?? "").split(",").map((p) => p.trim().split("="));
  const t = Number(parts.find(([k]) => k === "t")?.[1]);
  const signatures = parts.filter(([k, v]) => k === "v1" && /^[0-9a-f]{64}$/.test(v ?? "")).map(([, v]) => Buffer.from(v, "hex"));
  if (!Number.isInteger(t) || signatures.length === 0) return false;
  if (Math.abs(nowSeconds - t) > 300) return false; // replayed or badly delayed
  const expected = createHmac("sha256", secret).update(`${t}.`).update(rawBody).digest();
  return signatures.some((s) => timingSafeEqual(s, expected));
}

if (process.argv[2]) {
  const ok = verifyWebhook(process.env.WEBHOOK_SECRET, process.env.WEBHOOK_SIGNATURE, readFileSync(process.argv[2]));
  console.log(ok ? "verified" : "NOT verified");
  process.exit(ok ? 0 : 1);
}
