import fs from 'node:fs';

export default async function globalTeardown(): Promise<void> {
  const engines = (globalThis as { __atsEngines?: { stop(): Promise<void> }[] }).__atsEngines ?? [];
  await Promise.all(engines.map((e) => e.stop()));
  if (process.env.ATS_TEST_DIR && !process.env.ATS_KEEP_TEST_DIR) fs.rmSync(process.env.ATS_TEST_DIR, { recursive: true, force: true });
}
