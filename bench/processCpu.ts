import fs from 'node:fs';
import os from 'node:os';

/** Clock ticks per second of /proc's CPU times; 100 on every Linux this runs on. */
const TICKS_PER_SECOND = 100;

function cpuSeconds(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) start after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

/** Average cores a process used over a window: 1.0 is one core busy the whole time. */
export async function measureCpuCores(pid: number, windowMs: number): Promise<number> {
  const start = cpuSeconds(pid);
  const startedAt = performance.now();
  await new Promise((resolve) => setTimeout(resolve, windowMs));
  const used = cpuSeconds(pid) - start;
  return used / ((performance.now() - startedAt) / 1000);
}

export const cores = os.cpus().length;
