// Peer child: graphql-yoga + DataLoader + graphql-jit + the Guild stack's plugins for the protections
// ours runs (persisted operations by hash, graphql-armor, a per-caller budget, Prometheus): yoga-plugins.ts.
import { runChild } from '../child-runtime';
import { serveYoga } from './serve-yoga';
import { guildPlugins } from './yoga-plugins';

runChild(() => serveYoga({ plugins: guildPlugins }));
