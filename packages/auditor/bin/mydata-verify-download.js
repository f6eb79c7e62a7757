#!/usr/bin/env node
// The verifier is written in TypeScript; tsx runs it without a build step, as everything in this repository.
import { register } from 'tsx/esm/api';

register();
await import('../src/verify-download-main.ts');
