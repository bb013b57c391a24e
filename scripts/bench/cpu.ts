// CPU accounting from /proc (Linux; every function returns undefined elsewhere). The bench shares a
// 2-core machine with whatever else runs, so each load case reports who used the CPU: the server,
// the load generator, and everything else.
import fs from 'node:fs';

// USER_HZ, the unit of /proc times: 100 on every mainstream Linux build
const TICKS_PER_S = 100;

/** CPU time (user + system, ms) a process has used so far */
export function processCpuMs(pid: number | undefined): number | undefined {
  if (!pid) return undefined;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // fields after "(comm)": state is field 3, utime field 14, stime field 15
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(rest[11]) + Number(rest[12])) * 1000) / TICKS_PER_S;
  } catch {
    return undefined;
  }
}

/** busy CPU time (ms, summed over all cores, steal included) of the whole machine so far */
export function machineBusyMs(): number | undefined {
  try {
    const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0];
    // cpu user nice system idle iowait irq softirq steal ...
    const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
    return ((user + nice + system + irq + softirq + (steal || 0)) * 1000) / TICKS_PER_S;
  } catch {
    return undefined;
  }
}

/** CPU use of this process so far (ms) */
export function ownCpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

const OTHERS_MAX = 'machine.others_cpu_pct_max';
/** other processes using more than this share of a core make throughput numbers unreliable */
const BUSY_MACHINE_PCT = 25;

/** remembers the most CPU other processes took during any measurement (% of one core) */
export function recordOthersCpu(metrics: Map<string, number>, othersPct: number | undefined): void {
  if (othersPct !== undefined) metrics.set(OTHERS_MAX, Math.max(othersPct, metrics.get(OTHERS_MAX) ?? 0));
}

/** a warning for under the table when the machine was not quiet, else undefined */
export function busyMachineNote(metrics: Map<string, number>): string | undefined {
  const max = metrics.get(OTHERS_MAX);
  if (max === undefined || max <= BUSY_MACHINE_PCT) return undefined;
  return `other processes used up to ${Math.round(max)} % of a core during the measurements: rates and latencies ` +
    'are lower than on a quiet machine (the "by CPU" ratio is less affected)';
}
