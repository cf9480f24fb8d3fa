// Peer child: plain graphql-yoga with N+1 resolvers (one provider call per field, no DataLoader).
import { runChild } from '../child-runtime';
import { serveYoga } from './serve-yoga';

runChild(() => serveYoga({ fetchers: 'naive' }));
