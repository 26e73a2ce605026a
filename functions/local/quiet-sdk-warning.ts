/**
 * @module local/quiet-sdk-warning
 * Imported first by the local commands. The AWS SDK warns on every Node 20 process that its
 * releases after January 2027 need Node 22; pufa pins the SDK (~3.1169, locked), so the warning
 * says nothing actionable locally. The Lambda runtime is Node 22 and never sees it.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
