// The board contract against the Cortex-M7 image under qemu-system-arm -M mps2-an500 (built with
// arm-none-eabi-gcc). CI installs both, and there these tests fail without them rather than pass
// vacuously; a developer's machine without them skips them, saying what to install.
import { testNeeding } from '@layerfleet/test-support/ava';
import { boardContract } from './board-contract.js';

boardContract(testNeeding(['arm-none-eabi-gcc', 'qemu-system-arm']), 'qemu', 'qemu-mps2-an500');
