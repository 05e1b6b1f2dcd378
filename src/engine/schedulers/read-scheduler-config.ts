import type { RawSchedulerConfig } from './config-reader';
import { describeSampler, withConfigOverrides } from './sampler-catalog';
import type { SchedulerName } from './scheduler';
import {
  readDdimConfig,
  readDpmSolverConfig,
  readEulerAncestralConfig,
  readEulerConfig,
  readLmsConfig,
  readPndmConfig,
  type SchedulerConfigMap,
} from './scheduler-config';
import { readDeisConfig, readHeunConfig, readKdpm2Config, readUniPcConfig } from './second-order-and-unipc-configs';

/** The parsed config for `name`'s diffusers class, with the id's keyword arguments (e.g. Karras sigmas) applied. */
export function readSchedulerConfig<N extends SchedulerName>(name: N, raw: RawSchedulerConfig): SchedulerConfigMap[N] {
  const readers: { [K in SchedulerName]: (raw: RawSchedulerConfig) => SchedulerConfigMap[K] } = {
    pndm: readPndmConfig,
    ddim: readDdimConfig,
    euler: readEulerConfig,
    'euler-a': readEulerAncestralConfig,
    'dpm++2m': readDpmSolverConfig,
    lms: readLmsConfig,
    'dpm++2m-karras': readDpmSolverConfig,
    'dpm++2m-sde': readDpmSolverConfig,
    'dpm++2m-sde-karras': readDpmSolverConfig,
    'euler-karras': readEulerConfig,
    'lms-karras': readLmsConfig,
    heun: readHeunConfig,
    dpm2: readKdpm2Config,
    'dpm2-karras': readKdpm2Config,
    unipc: readUniPcConfig,
    deis: readDeisConfig,
  };
  return readers[name](withConfigOverrides(raw, describeSampler(name).configOverrides));
}
