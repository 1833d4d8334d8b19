import type { TShop, TShopDimension } from '@huifang/shared';
import { useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Card, Input, Space, Tag, TreeSelect, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText } from '../../../api/error-text.ts';
import { can, useMe } from '../../auth/api.ts';
import { buildTree, useUnits } from '../../org/api.ts';
import { createShop, ORDER_REVIEWS_KEY, saveShopDimensions, useShops } from '../api.ts';

/** A key for a dimension added here: managers name dimensions; the key only ties stored ratings to them. */
const newKey = () => `d_${Math.random().toString(36).slice(2, 10)}`;

/** One shop's dimensions: rename, add, remove, save (a kept dimension keeps its history in the shop score). */
function ShopDimensions({ shop, canEdit, onSaved }: { shop: TShop; canEdit: boolean; onSaved: () => Promise<void> }) {
  const { t, i18n } = useTranslation();
  const [dims, setDims] = useState<TShopDimension[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const slug = shop.unitId.slice(0, 8);
  const save = async () => {
    if (!dims) return;
    setBusy(true);
    setError(null);
    try {
      await saveShopDimensions(
        shop.unitId,
        dims.map((d) => ({ ...d, name: d.name.trim() })),
      );
      await onSaved();
      setDims(null);
    } catch (e) {
      setError(errorText(e, i18n.language));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Card
      size="small"
      title={shop.unitName}
      data-testid={`shop-${shop.unitName}`}
      extra={
        canEdit &&
        !dims && (
          <Button size="small" onClick={() => setDims(shop.reviewDimensions)} data-testid="shop-edit">
            {t('orderReview.shopEdit')}
          </Button>
        )
      }
    >
      {!dims ? (
        <Space wrap data-testid="shop-dims">
          {shop.reviewDimensions.map((d) => (
            <Tag key={d.key}>{d.name}</Tag>
          ))}
        </Space>
      ) : (
        <Space direction="vertical" style={{ width: '100%' }}>
          {dims.map((d, i) => (
            <Space key={d.key}>
              <Input
                style={{ width: 200 }}
                maxLength={20}
                value={d.name}
                onChange={(e) => setDims(dims.map((x, j) => (j === i ? { ...x, name: e.target.value } : x)))}
                data-testid={`shop-dim-${i}`}
              />
              <Button
                size="small"
                danger
                disabled={dims.length <= 1}
                onClick={() => setDims(dims.filter((_, j) => j !== i))}
                data-testid={`shop-dim-remove-${i}`}
              >
                {t('orderReview.shopDimRemove')}
              </Button>
            </Space>
          ))}
          <Space>
            <Button
              size="small"
              disabled={dims.length >= 6}
              onClick={() => setDims([...dims, { key: newKey(), name: '' }])}
              data-testid="shop-dim-add"
            >
              {t('orderReview.shopDimAdd')}
            </Button>
            <Button
              size="small"
              type="primary"
              loading={busy}
              disabled={dims.some((d) => !d.name.trim())}
              onClick={() => void save()}
              data-testid={`shop-save-${slug}`}
            >
              {t('orderReview.shopSave')}
            </Button>
            <Button size="small" onClick={() => setDims(null)}>
              {t('orderReview.shopCancel')}
            </Button>
          </Space>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {t('orderReview.shopDimHint')}
          </Typography.Text>
          {error && <Alert type="error" message={error} data-testid="shop-error" />}
        </Space>
      )}
    </Card>
  );
}

/** 店铺设置: which units are shops (only their orders are reviewable) and each shop's rating dimensions. */
export function ShopSettings() {
  const { t, i18n } = useTranslation();
  const me = useMe().data;
  const qc = useQueryClient();
  const shops = useShops();
  const units = useUnits().data;
  const treeData = useMemo(() => buildTree(units ?? []), [units]);
  const [unitId, setUnitId] = useState<string>();
  const [error, setError] = useState<string | null>(null);
  const canEdit = can(me, 'review:reply');
  const refresh = () => qc.invalidateQueries({ queryKey: ORDER_REVIEWS_KEY });
  const add = async () => {
    if (!unitId) return;
    setError(null);
    try {
      await createShop(unitId);
      setUnitId(undefined);
      await refresh();
    } catch (e) {
      setError(errorText(e, i18n.language));
    }
  };
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Alert type="info" showIcon message={t('orderReview.shopsHint')} />
      {canEdit && (
        <Space wrap>
          <TreeSelect
            placeholder={t('orderReview.shopPickUnit')}
            style={{ width: 240 }}
            treeData={treeData}
            treeDefaultExpandAll
            value={unitId}
            onChange={(v: string) => setUnitId(v)}
            data-testid="shop-unit"
          />
          <Button type="primary" disabled={!unitId} onClick={() => void add()} data-testid="shop-create">
            {t('orderReview.shopCreate')}
          </Button>
        </Space>
      )}
      {error && <Alert type="error" message={error} />}
      {(shops.data?.items ?? []).map((s) => (
        <ShopDimensions key={s.unitId} shop={s} canEdit={canEdit} onSaved={refresh} />
      ))}
    </Space>
  );
}
