import fs from 'node:fs';
import { loadConfig } from '../config';
export const x = () => { Promise.resolve(1); return [fs, loadConfig, process.env]; };
