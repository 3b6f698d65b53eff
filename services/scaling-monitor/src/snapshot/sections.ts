import { ScalingErrors, type Section } from '@eks-info/contracts';
import { type InformerStatus, builtSection, informerSection as kubeSection } from '@eks-info/kube';

/** The scaling domain's informer section (see libs/kube `informerSection`). */
export const informerSection = <T>(list: InformerStatus[], build: () => T): Section<T> => kubeSection(list, build, ScalingErrors.COLLECTOR_FAILED.code);

/** The data of a section, or the error that building it raised. */
export const built = <T>(build: () => T): Section<T> => builtSection(build, ScalingErrors.COLLECTOR_FAILED.code);
