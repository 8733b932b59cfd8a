import { registerPipelineLauncher } from './pipeline-launcher';
import { TrainingPipeline } from './training-pipeline';

// Under Node, stages run in worker threads.
registerPipelineLauncher((model, options) => TrainingPipeline.start(model, options));
