import type { TSurveyDefinition, TSurveyTemplate } from '@huifang/shared';

/**
 * The default consumer-goods satisfaction model 消费品满意度模型 (DESIGN §4.2): seven dimensions with fixed weights,
 * Likert questions for each, an NPS question (reported on its own) and free text. Two skip rules: customers who never
 * returned goods / never complained skip those sections.
 */
export function consumerGoodsTemplate(): TSurveyDefinition {
  const likert = (key: string, title: string, dimensionKey: string) => ({
    key,
    type: 'likert' as const,
    title,
    required: true,
    dimensionKey,
  });
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

const likert = (key: string, title: string, dimensionKey: string) => ({
  key,
  type: 'likert' as const,
  title,
  required: true,
  dimensionKey,
});
const yesNo = (key: string, title: string, skipTo: string | null, skipOn: 'yes' | 'no' = 'no') => ({
  key,
  type: 'single' as const,
  title,
  required: true,
  options: [
    { value: 'yes', label: '是' },
    { value: 'no', label: '否' },
  ],
  ...(skipTo ? { skip: [{ op: 'eq' as const, values: [skipOn], goto: skipTo }] } : {}),
});

/**
 * Bank hall 银行网点 service survey: what a customer met at the counter and in the hall. Weights follow what branch
 * managers act on first (the teller's attitude and the wait), 100% in all.
 */
export function bankHallTemplate(): TSurveyDefinition {
  return {
    title: '银行网点服务满意度调查',
    description: '感谢您今天到访我行网点。请就本次办理业务的体验作答，大约需要 2 分钟。',
    thankYou: '感谢您的评价！我们会持续改进网点服务。',
    dimensions: [
      { key: 'attitude', name: '服务态度', weight: 30 },
      { key: 'waiting', name: '等候时间', weight: 20 },
      { key: 'efficiency', name: '业务效率', weight: 20 },
      { key: 'professional', name: '专业能力', weight: 15 },
      { key: 'environment', name: '网点环境', weight: 15 },
    ],
    questions: [
      likert('attitude_teller', '您对柜员的服务态度（礼貌、耐心）是否满意？', 'attitude'),
      likert('attitude_lobby', '您对大堂经理引导和咨询服务是否满意？', 'attitude'),
      likert('waiting_time', '您对本次取号到办理的等候时间是否满意？', 'waiting'),
      likert('waiting_info', '等候期间叫号、提示信息是否清楚？', 'waiting'),
      likert('efficiency_speed', '您对业务办理速度是否满意？', 'efficiency'),
      likert('efficiency_once', '您的业务是否一次办好、无需反复补材料？', 'efficiency'),
      likert('professional_advice', '您对工作人员业务讲解和风险提示的专业程度是否满意？', 'professional'),
      likert('environment_hall', '您对网点环境（整洁、座位、便民设施）是否满意？', 'environment'),
      likert('environment_self', '您对自助设备的可用性和便捷程度是否满意？', 'environment'),
      { key: 'nps', type: 'nps', title: '您有多大可能向亲友推荐我行网点？（0–10 分）', required: true },
      { key: 'suggestion', type: 'text', title: '您对我们的网点服务还有哪些意见或建议？', required: false },
    ],
  };
}

/**
 * Hospital discharge follow-up 出院随访: asked by phone or link after discharge. Besides satisfaction it records the
 * patient's recovery (an abnormal answer is for the ward to act on) and whether medication is taken as prescribed.
 */
export function hospitalFollowupTemplate(): TSurveyDefinition {
  return {
    title: '出院患者随访问卷',
    description: '您好，这里是医院随访中心。为了解您出院后的恢复情况和对住院服务的评价，请花 3 分钟作答。',
    thankYou: '感谢您的配合，祝您早日康复！如有不适请及时就医。',
    dimensions: [
      { key: 'medical', name: '医疗服务', weight: 30 },
      { key: 'nursing', name: '护理服务', weight: 25 },
      { key: 'guidance', name: '出院指导', weight: 20 },
      { key: 'environment', name: '住院环境', weight: 10 },
      { key: 'process', name: '就医流程', weight: 15 },
    ],
    questions: [
      {
        key: 'recovery',
        type: 'single',
        title: '您出院后目前的恢复情况如何？',
        required: true,
        options: [
          { value: 'good', label: '恢复良好' },
          { value: 'fair', label: '基本恢复' },
          { value: 'poor', label: '仍有不适' },
        ],
      },
      yesNo('medication', '您是否按医嘱按时服药、按时复诊？', null),
      likert('medical_doctor', '您对主治医生的诊疗水平和解释病情是否满意？', 'medical'),
      likert('medical_result', '您对本次治疗效果是否满意？', 'medical'),
      likert('nursing_care', '您对护士的护理操作和态度是否满意？', 'nursing'),
      likert('nursing_response', '您对呼叫后护士的响应速度是否满意？', 'nursing'),
      likert('guidance_discharge', '您对出院时用药、饮食、康复指导是否满意？', 'guidance'),
      likert('environment_ward', '您对病房环境（整洁、安静）是否满意？', 'environment'),
      likert('process_admission', '您对入院、缴费、出院结算等流程的便捷程度是否满意？', 'process'),
      { key: 'nps', type: 'nps', title: '您有多大可能向亲友推荐我院？（0–10 分）', required: true },
      { key: 'suggestion', type: 'text', title: '您对我院的医疗和服务还有哪些意见或建议？', required: false },
    ],
  };
}

/** 从模板新建: the definition each shipped template starts from. */
export const SURVEY_TEMPLATE_DEFINITIONS: Record<TSurveyTemplate, () => TSurveyDefinition> = {
  consumer_goods: consumerGoodsTemplate,
  bank_hall: bankHallTemplate,
  hospital_followup: hospitalFollowupTemplate,
};
