// Peer child: graphql-yoga + DataLoader + @envelop/graphql-jit, no protections (Yoga at its fastest).
import { runChild } from '../child-runtime';
import { serveYoga } from './serve-yoga';
import { jitPlugins } from './yoga-plugins';

runChild(() => serveYoga({ plugins: jitPlugins }));
