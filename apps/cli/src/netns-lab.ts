import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';

/**
 * Every namespace a test makes is named `lbpt-<pid>-…` after the test process, so stale ones (from a killed run)
 * can be told from those of a run still going on elsewhere, and removed.
 */
export const NETNS_PREFIX = 'lbpt-';
const OWN_PREFIX = `${NETNS_PREFIX}${process.pid}-`;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** What this machine allows: namespaces at all, netem (delay, loss) in tc, and nftables as the loss fallback. */
export interface NetnsSupport {
  /** Null when namespaces and veth pairs can be made; else the one-line reason they cannot. */
  unavailable: string | null;
  /** Null when `tc qdisc … netem` works; else why not. */
  noNetem: string | null;
  nft: boolean;
}

function binary(name: string): string | null {
  for (const dir of ['/usr/sbin', '/sbin', '/usr/bin', '/bin']) if (existsSync(`${dir}/${name}`)) return `${dir}/${name}`;
  return null;
}

const IP = binary('ip');
const TC = binary('tc');
const NFT = binary('nft');

/** Runs a command to completion (10 s at most); throws with its stderr on failure. */
function run(command: string, args: readonly string[], input?: string): string {
  const r = spawnSync(command, args, { encoding: 'utf8', timeout: 10_000, ...(input !== undefined ? { input } : {}) });
  if (r.error || r.status !== 0) throw new Error(`${command} ${args.join(' ')}: ${(r.stderr || r.error?.message || `exit ${r.status}`).trim()}`);
  return r.stdout;
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0]!;
}

/** Tries for real: makes a namespace with a veth pair, then netem and nftables in it, and removes it again. */
export function probeNetns(): NetnsSupport {
  if (process.platform !== 'linux') return { unavailable: `network namespaces are Linux-only (this is ${process.platform})`, noNetem: 'not Linux', nft: false };
  if (!IP) return { unavailable: 'no `ip` command (Debian package iproute2)', noNetem: 'no ip', nft: false };
  const ns = `${OWN_PREFIX}probe-${randomBytes(3).toString('hex')}`;
  try {
    run(IP, ['netns', 'add', ns]);
  } catch (err) {
    const who = process.getuid?.() === 0 ? '' : ' (not root: it needs CAP_SYS_ADMIN)';
    return { unavailable: `cannot create a network namespace${who}: ${firstLine(err)}`, noNetem: 'no netns', nft: false };
  }
  try {
    try {
      run(IP, ['-n', ns, 'link', 'add', 'probe0', 'type', 'veth', 'peer', 'name', 'probe1']);
      run(IP, ['netns', 'exec', ns, 'true']);
    } catch (err) {
      return { unavailable: `cannot make a veth pair in a namespace: ${firstLine(err)}`, noNetem: 'no veth', nft: false };
    }
    let noNetem: string | null = TC ? null : 'no `tc` command (Debian package iproute2)';
    if (TC) {
      try {
        run(TC, ['-n', ns, 'qdisc', 'add', 'dev', 'probe0', 'root', 'netem', 'delay', '1ms']);
      } catch (err) {
        noNetem = `tc qdisc add … netem: ${firstLine(err).replace(/^.*?: /, '')} (the kernel lacks sch_netem)`;
      }
    }
    let nft = false;
    if (NFT) {
      try {
        run(IP, ['netns', 'exec', ns, NFT, 'add', 'table', 'inet', 'probe']);
        nft = true;
      } catch {
        nft = false;
      }
    }
    return { unavailable: null, noNetem, nft };
  } finally {
    spawnSync(IP, ['netns', 'del', ns]);
  }
}

/** Removes namespaces with our prefix whose test process is gone (a run killed before its clean-up). */
export function deleteStaleNamespaces(): string[] {
  if (!IP) return [];
  const names = spawnSync(IP, ['netns', 'list'], { encoding: 'utf8' })
    .stdout.split('\n')
    .map((l) => l.split(' ')[0]!)
    .filter((n) => {
      const owner = new RegExp(`^${NETNS_PREFIX}(\\d+)-`).exec(n);
      // Names without a pid come from before pids were part of them: nobody owns those any more.
      return n.startsWith(NETNS_PREFIX) && (!owner || !alive(Number(owner[1])));
    });
  for (const n of names) spawnSync(IP, ['netns', 'del', n]);
  return names;
}

/** One end of a veth link: its namespace, interface and address. */
export interface LinkEnd {
  ns: string;
  dev: string;
  address: string;
}

/**
 * Namespaces and veth links for one test, all named `lbpt-<pid>-<random>-…`, addresses in 10.213.0.0/16 and only
 * inside those namespaces; `cleanup()` deletes them (their links go with them).
 */
export class NetLab {
  readonly id = randomBytes(3).toString('hex');
  private readonly namespaces: string[] = [];
  private links = 0;

  constructor(private readonly subnetBase: number) {}

  namespace(role: string): string {
    const ns = `${OWN_PREFIX}${this.id}-${role}`;
    run(IP!, ['netns', 'add', ns]);
    this.namespaces.push(ns);
    run(IP!, ['-n', ns, 'link', 'set', 'lo', 'up']);
    return ns;
  }

  /** A veth pair between two namespaces, on its own /24: `a` gets .1, `b` gets .2. */
  link(a: string, b: string): { a: LinkEnd; b: LinkEnd } {
    const subnet = this.subnetBase + this.links++;
    if (subnet > 255) throw new RangeError('out of 10.213.x.0/24 subnets');
    // Interface names are at most 15 characters.
    const name = (end: string) => `l${this.id}${subnet.toString(16).padStart(2, '0')}${end}`;
    run(IP!, ['link', 'add', name('a'), 'netns', a, 'type', 'veth', 'peer', 'name', name('b'), 'netns', b]);
    const ends = { a: { ns: a, dev: name('a'), address: `10.213.${subnet}.1` }, b: { ns: b, dev: name('b'), address: `10.213.${subnet}.2` } };
    for (const end of [ends.a, ends.b]) {
      run(IP!, ['-n', end.ns, 'addr', 'add', `${end.address}/24`, 'dev', end.dev]);
      run(IP!, ['-n', end.ns, 'link', 'set', end.dev, 'up']);
    }
    return ends;
  }

  /** `tc qdisc add dev … root netem ARGS` on one end (shapes what leaves through it). */
  netem(end: LinkEnd, args: readonly string[]): void {
    run(TC!, ['-n', end.ns, 'qdisc', 'add', 'dev', end.dev, 'root', 'netem', ...args]);
  }

  /** Packets netem dropped on that end so far. */
  netemDropped(end: LinkEnd): number {
    return Number(/dropped (\d+)/.exec(run(TC!, ['-s', '-n', end.ns, 'qdisc', 'show', 'dev', end.dev]))?.[1] ?? 0);
  }

  /** Drops `percent`% of packets in and out of a namespace at random (nftables numgen): loss where netem is missing. */
  nftLoss(ns: string, percent: number): void {
    const rule = `numgen random mod 100 < ${percent} counter drop`;
    run(IP!, ['netns', 'exec', ns, NFT!, '-f', '-'], `table inet lbploss {\n chain o { type filter hook output priority 0; ${rule}; }\n chain i { type filter hook input priority 0; ${rule}; }\n}\n`);
  }

  /** Packets the nftables loss rules dropped in that namespace so far. */
  nftDropped(ns: string): number {
    const text = run(IP!, ['netns', 'exec', ns, NFT!, 'list', 'table', 'inet', 'lbploss']);
    return [...text.matchAll(/counter packets (\d+)/g)].reduce((n, m) => n + Number(m[1]), 0);
  }

  setLink(end: LinkEnd, state: 'up' | 'down'): void {
    run(IP!, ['-n', end.ns, 'link', 'set', end.dev, state]);
  }

  /** The argv prefix that runs a command inside a namespace. */
  exec(ns: string): [string, string[]] {
    return [IP!, ['netns', 'exec', ns]];
  }

  cleanup(): void {
    for (const ns of this.namespaces.splice(0)) spawnSync(IP!, ['netns', 'del', ns]);
  }
}
