import type { TSurveyDefinition } from '@huifang/shared';

/**
 * The built-in 处理满意度 survey of ticket callbacks: the overall satisfaction with how the complaint was handled (CSAT
 * 1–5) and, only for a score at or below the tenant's threshold N, a required comment (skip logic sends higher
 * scores straight to the end). One survey per threshold: when the admin changes N a new one is made.
 */
export function callbackSurveyDefinition(threshold: number): TSurveyDefinition {
  const high = [1, 2, 3, 4, 5].filter((v) => v > threshold);
  return {
    title: '投诉处理满意度回访',
    description: '您此前反映的问题已处理完毕，请对处理结果作出评价，约需 1 分钟。',
    thankYou: '感谢您的反馈！',
    dimensions: [],
    questions: [
      {
        key: 'overall',
        type: 'csat',
        title: '您对本次问题的处理结果是否满意？',
        required: true,
        ...(high.length ? { skip: [{ op: 'in' as const, values: high, goto: 'end' }] } : {}),
      },
      { key: 'comment', type: 'text', title: '请告诉我们您不满意的原因，我们将继续跟进', required: true },
    ],
  };
}
