#!/usr/bin/env node
// The `bmp` command (npx bmp ...). The sources are TypeScript, run through tsx's loader.
import { register } from 'tsx/esm/api';

register();
await import('../services/cli/main.ts');
