// The board contract against the Cortex-M7 image under qemu-system-arm -M mps2-an500. CI installs
// QEMU and the ARM toolchain; without them these tests fail rather than pass vacuously.
import test from 'ava';
import { boardContract } from './board-contract.js';

boardContract(test, 'qemu', 'qemu-mps2-an500');
