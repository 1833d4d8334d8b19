import path from 'node:path';

/**
 * BENCH_CPU_PROF=1: the bench's server processes run under `node --cpu-prof`, the app's and the bare baseline's
 * profiles in separate folders under BENCH_CPU_PROF_DIR (default /tmp/huifang-cpu-prof/<bench>), written when the
 * server exits at the end of its run. Summarise one with `npx tsx bench/_cpuprofile-summary.ts <file.cpuprofile>`.
 */
export function cpuProfArgs(bench: string, mode: string): string[] {
  if (!process.env.BENCH_CPU_PROF) return [];
  const dir = path.join(process.env.BENCH_CPU_PROF_DIR ?? path.join('/tmp/huifang-cpu-prof', bench), mode);
  console.error(`cpu profile of the ${mode} server → ${dir}`);
  return ['--cpu-prof', `--cpu-prof-dir=${dir}`];
}
