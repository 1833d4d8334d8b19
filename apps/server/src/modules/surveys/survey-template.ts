import type { TSurveyDefinition } from '@huifang/shared';

/**
 * The default consumer-goods satisfaction model 消费品满意度模型 (DESIGN §4.2): seven dimensions with fixed weights,
 * Likert questions for each, an NPS question (reported on its own) and free text. Two skip rules: customers who never
 * returned goods / never complained skip those sections.
 */
export function consumerGoodsTemplate(): TSurveyDefinition {
  const likert = (key: string, title: string, dimensionKey: string) => ({ key, type: 'likert' as const, title, required: true, dimensionKey });
  return {
    title: '消费品客户满意度调查',
    description: '感谢您抽出时间参与本次调查。您的意见将帮助我们改进产品和服务，大约需要 3 分钟。',
    thankYou: '感谢您的参与！我们会认真对待每一条意见。',
    dimensions: [
      { key: 'brand', name: '品牌与形象', weight: 20 },
      { key: 'quality', name: '质量', weight: 20 },
      { key: 'price', name: '价格', weight: 20 },
      { key: 'after_sales', name: '售后服务质量', weight: 10 },
      { key: 'returns', name: '退货处理', weight: 10 },
      { key: 'complaints', name: '投诉处理', weight: 15 },
      { key: 'communication', name: '沟通与宣传', weight: 5 },
    ],
    questions: [
      likert('brand_trust', '您对我们品牌的信任程度如何？', 'brand'),
      likert('brand_image', '您对我们品牌形象（门店、包装、口碑）的满意程度？', 'brand'),
      likert('quality_overall', '您对所购产品整体质量的满意程度？', 'quality'),
      likert('quality_durability', '您对产品耐用性和稳定性的满意程度？', 'quality'),
      likert('price_value', '您认为产品的性价比如何？', 'price'),
      likert('price_transparency', '您对价格透明度（优惠、促销规则）的满意程度？', 'price'),
      likert('service_speed', '您对售后服务响应速度的满意程度？', 'after_sales'),
      likert('service_attitude', '您对售后人员专业性和态度的满意程度？', 'after_sales'),
      {
        key: 'had_return',
        type: 'single',
        title: '过去一年内您是否办理过退换货？',
        required: true,
        options: [
          { value: 'yes', label: '是' },
          { value: 'no', label: '否' },
        ],
        skip: [{ op: 'eq', values: ['no'], goto: 'had_complaint' }],
      },
      likert('return_process', '您对退换货流程便捷程度的满意程度？', 'returns'),
      likert('return_refund', '您对退款到账速度的满意程度？', 'returns'),
      {
        key: 'had_complaint',
        type: 'single',
        title: '过去一年内您是否向我们投诉过？',
        required: true,
        options: [
          { value: 'yes', label: '是' },
          { value: 'no', label: '否' },
        ],
        skip: [{ op: 'eq', values: ['no'], goto: 'comm_info' }],
      },
      likert('complaint_handling', '您对投诉处理结果的满意程度？', 'complaints'),
      likert('complaint_speed', '您对投诉处理及时性的满意程度？', 'complaints'),
      likert('comm_info', '您对我们产品信息和活动宣传的满意程度？', 'communication'),
      { key: 'nps', type: 'nps', title: '您有多大可能向亲友推荐我们？（0–10 分）', required: true },
      { key: 'suggestion', type: 'text', title: '您对我们还有哪些意见或建议？', required: false },
    ],
  };
}
