import { defineTrainingParityTests } from './parity_runner.js';

defineTrainingParityTests('cpu', 'native');
