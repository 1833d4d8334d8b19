import { Card, Tabs } from 'antd';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { ApiClients } from '../components/api-clients.tsx';
import { OrdersList } from '../components/orders-list.tsx';
import { ReviewList } from '../components/review-list.tsx';
import { ShopSettings } from '../components/shop-settings.tsx';

/** 订单评价: the shop's reviews (filters, reply), its completed orders (copy the buyer's review link) and 店铺设置. */
export function OrderReviewsPage() {
  const { t } = useTranslation();
  const [params, setParams] = useSearchParams();
  const tab = params.get('tab') ?? 'reviews';
  return (
    <Card title={t('orderReview.title')}>
      <Tabs
        activeKey={tab}
        destroyOnHidden
        onChange={(k) => setParams({ tab: k }, { replace: true })}
        items={[
          { key: 'reviews', label: t('orderReview.tabReviews'), children: <ReviewList /> },
          { key: 'orders', label: t('orderReview.tabOrders'), children: <OrdersList /> },
          { key: 'api', label: t('orderReview.tabApi'), children: <ApiClients /> },
          { key: 'shops', label: t('orderReview.tabShops'), children: <ShopSettings /> },
        ]}
      />
    </Card>
  );
}
