import { defineParityTests } from './parity_runner.js';

defineParityTests('wasm', 'tfjs');
