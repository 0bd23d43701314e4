// The board contract against the host firmware on a pseudo-terminal.
import test from 'ava';
import { boardContract } from './board-contract.js';

boardContract(test, 'host', 'host');
