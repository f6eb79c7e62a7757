#!/usr/bin/env node
// The auditor is written in TypeScript; tsx runs it without a build step, as everything in this repository.
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
