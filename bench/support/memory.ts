import fs from 'node:fs';

/**
 * A process's memory as its proportional share (PSS, from `/proc/<pid>/smaps_rollup`): a page
 * mapped by several processes counts a fraction in each. Resident memory (RSS) counts the Node
 * binary's shared pages, about 50 MB, whole in every Node process of the run, so it overstates
 * each and sums to more than the machine holds; PSS sums to what the processes hold together.
 */
export interface MemoryReading {
  rssMb: number;
  pssMb: number;
  /** `rss` when smaps_rollup could not be read (an older kernel, no ptrace access): PSS is then RSS. */
  source: 'pss' | 'rss';
}

/** Rss and Pss (kB) out of smaps_rollup's text; null when either line is missing. */
export function parseSmapsRollup(text: string): { rssKb: number; pssKb: number } | null {
  const rss = /^Rss:\s+(\d+) kB/m.exec(text);
  const pss = /^Pss:\s+(\d+) kB/m.exec(text);
  return rss && pss ? { rssKb: Number(rss[1]), pssKb: Number(pss[1]) } : null;
}

/** The process's memory now; null once it is gone. */
export function memoryOf(pid: number): MemoryReading | null {
  try {
    const parsed = parseSmapsRollup(fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    if (parsed) return { rssMb: parsed.rssKb / 1024, pssMb: parsed.pssKb / 1024, source: 'pss' };
  } catch {
    // Unreadable: fall through to VmRSS.
  }
  try {
    const kb = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return kb ? { rssMb: Number(kb[1]) / 1024, pssMb: Number(kb[1]) / 1024, source: 'rss' } : null;
  } catch {
    return null;
  }
}
