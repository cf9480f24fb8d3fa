// Peer child: plain graphql-yoga + DataLoader (the baseline of the table's ratios).
import { runChild } from '../child-runtime';
import { serveYoga } from './serve-yoga';

runChild(() => serveYoga({ fetchers: 'batched' }));
