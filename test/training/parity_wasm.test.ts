import { defineTrainingParityTests } from './parity_runner.js';

defineTrainingParityTests('wasm', 'tfjs');
