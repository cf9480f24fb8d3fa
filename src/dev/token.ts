// `npm run -s token [userId]`: prints a dev bearer token for a fixture user (default user-1).
import { mintDevToken } from './dev-jwt';

const userId = process.argv[2] ?? 'user-1';
if (!/^user-\d+$/.test(userId)) {
  console.error(`Expected a fixture user id like "user-1", got "${userId}".`);
  process.exit(2);
}
console.log(await mintDevToken(userId));
