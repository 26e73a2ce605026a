/**
 * @module version
 * The release version, from package.json (inlined into the Lambda bundle by esbuild).
 */
import packageJson from '../package.json' with { type: 'json' };

export const version: string = packageJson.version;
