// The registry-access flags every command that talks to a registry takes (kwctl's spellings
// kept as aliases), turned into RegistryOptions once.
import { Option, type Command } from "commander";
import type { RegistryOptions } from "../oci/client.js";
import { readCaCert, readSources } from "../oci/sources.js";

export interface RegistryFlags {
  dockerConfig?: string;
  dockerConfigJsonPath?: string;
  sourcesPath?: string;
  caCert?: string[];
  insecure?: boolean;
}

export function addRegistryOptions(command: Command): Command {
  return command
    .option("--docker-config <file>", "Docker config.json with registry credentials (default $DOCKER_CONFIG/config.json or ~/.docker/config.json)")
    .addOption(new Option("--docker-config-json-path <file>", "alias of --docker-config (kwctl spelling)").hideHelp())
    .option("--sources-path <file>", "kwctl sources.yaml: insecure_sources (plain HTTP) and source_authorities (CA certificates per host)")
    .option("--ca-cert <pem...>", "extra CA certificate(s) trusted for HTTPS registries")
    .option("--insecure", "talk plain HTTP to the registry (local registries only; HTTPS is verified otherwise)");
}

export function registryOptionsFrom(flags: RegistryFlags): RegistryOptions {
  return {
    dockerConfig: flags.dockerConfig ?? flags.dockerConfigJsonPath,
    insecure: flags.insecure ?? false,
    caCerts: (flags.caCert ?? []).map(readCaCert),
    sources: flags.sourcesPath !== undefined ? readSources(flags.sourcesPath) : undefined,
  };
}
