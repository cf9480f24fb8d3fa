// `npm test`'s first step: makes the machine able to run the tests, so that the README's command
// works on a fresh Debian machine with only Node and npm. The tests need a Redis on 127.0.0.1:6379
// (shared-state tests), redis-server and redis-cli (tests that start their own, and a Cluster) and Debian's Chromium at /usr/bin/chromium (the GraphiQL browser test).
// As root it installs what is missing from Debian's packages and starts Redis when none answers;
// otherwise it prints one line saying exactly what to install, and fails.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import console from 'node:console';
import { connect } from 'node:net';
import process from 'node:process';
import { setTimeout as delay } from 'node:timers/promises';

const REDIS_PORT = 6379;
const CHROMIUM = '/usr/bin/chromium';
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

const onPath = (command) => spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;

function redisAnswers() {
  return new Promise((resolve) => {
    const socket = connect(REDIS_PORT, '127.0.0.1');
    const done = (answers) => {
      socket.destroy();
      resolve(answers);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (chunk) => done(chunk.toString().startsWith('+PONG')));
  });
}

function fail(line) {
  console.error(`prepare-machine: ${line}`);
  process.exit(1);
}

const missing = [];
const redisRunning = await redisAnswers();
// The Redis fault and Cluster tests start redis-servers of their own and build the cluster with redis-cli.
if (!onPath('redis-server')) missing.push('redis-server');
else if (!onPath('redis-cli')) missing.push('redis-tools');
if (!existsSync(CHROMIUM)) missing.push('chromium');

if (missing.length > 0) {
  if (!isRoot) fail(`missing ${missing.join(' and ')}: run \`sudo apt-get install -y ${missing.join(' ')}\`, then \`npm test\` again`);
  console.log(`prepare-machine: installing ${missing.join(' ')} from Debian's packages`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  // --reinstall: a package dpkg counts as installed whose files are gone (a broken or pruned image) is written again.
  execFileSync('apt-get', ['install', '-y', '-qq', '--reinstall', ...missing], { stdio: ['ignore', 'ignore', 'inherit'], env });
}

if (!redisRunning) {
  console.log(`prepare-machine: starting redis-server on 127.0.0.1:${REDIS_PORT} (in memory, no persistence)`);
  execFileSync('redis-server', ['--daemonize', 'yes', '--bind', '127.0.0.1', '--port', String(REDIS_PORT), '--save', '', '--appendonly', 'no'], { stdio: 'inherit' });
  for (let i = 0; i < 50 && !(await redisAnswers()); i++) await delay(100);
  if (!(await redisAnswers())) fail(`redis-server did not answer on 127.0.0.1:${REDIS_PORT}`);
}
if (!existsSync(CHROMIUM)) fail(`${CHROMIUM} is still missing after the install: apt-get install -y chromium`);
