import type { TSurveyDefinition } from '@huifang/shared';

/** A new survey: one dimension of 100% and one Likert question, ready to edit. */
export const blankDefinition = (t: (k: string) => string): TSurveyDefinition => ({
  title: t('survey.blank.title'),
  description: '',
  dimensions: [{ key: 'overall', name: t('survey.blank.dimension'), weight: 100 }],
  questions: [
    { key: 'q1', type: 'likert', title: t('survey.blank.question'), required: true, dimensionKey: 'overall' },
  ],
});
