/**
 * testcontainers reads these once, at first use, so this module is imported before it.
 * - Ryuk cannot be pulled where no registry answers; the run registry does its job instead.
 * - Without a host override, testcontainers starts an alpine helper to find the host: another pull.
 * A user who set them keeps their values. DOCKER_HOST comes from the current docker context.
 */
import './docker-context.ts';
process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
process.env.TESTCONTAINERS_HOST_OVERRIDE ??= 'localhost';
