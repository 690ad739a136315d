import fs from 'node:fs';
import os from 'node:os';

/** Clock ticks per second of /proc's CPU times; 100 on every Linux this runs on. */
const TICKS_PER_SECOND = 100;

/** /proc/<pid>/stat's fields after the command name (which may hold spaces), from the state on. */
function statFields(pid: number): string[] {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** CPU seconds a process used so far, in its own code (user) and in the kernel on its behalf (system). */
export function cpuTimes(pid: number): { user: number; system: number } {
  const fields = statFields(pid);
  return { user: Number(fields[11]) / TICKS_PER_SECOND, system: Number(fields[12]) / TICKS_PER_SECOND };
}

function cpuSeconds(pid: number): number {
  const { user, system } = cpuTimes(pid);
  return user + system;
}

/** A process and all its descendants now (a server's mediasoup workers and ffmpeg children). */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of fs.readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    try {
      const parent = Number(statFields(pid)[1]);
      children.set(parent, [...(children.get(parent) ?? []), pid]);
    } catch {
      // Exited while we looked.
    }
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i++) tree.push(...(children.get(tree[i]!) ?? []));
  return tree;
}

/** CPU seconds the processes used so far, each by pid; processes that are gone are left out. */
export function cpuSecondsByPid(pids: number[]): Map<number, number> {
  const seconds = new Map<number, number>();
  for (const pid of pids) {
    try {
      seconds.set(pid, cpuSeconds(pid));
    } catch {
      // Exited.
    }
  }
  return seconds;
}

/** Resident memory of the processes together, in MB. */
export function rssMb(pids: number[]): number {
  let kb = 0;
  for (const pid of pids) {
    try {
      kb += Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
    } catch {
      // Exited.
    }
  }
  return kb / 1024;
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
