// Peer child: graphql-yoga + graphql-jit + @graphql-yoga/plugin-response-cache, warm (the peer of
// ours-cache-hit on the catalogue GET).
import { runChild } from '../child-runtime';
import { serveYoga } from './serve-yoga';
import { cachePlugins } from './yoga-plugins';

runChild(() => serveYoga({ plugins: cachePlugins }));
