import { defineParityTests } from './parity_runner.js';

defineParityTests('cpu', 'tfjs');
