import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type {
  TKioskDevice,
  TKioskSettings,
  TKioskSettingsInput,
  TKioskUnits,
  TPairingCode,
  TPairingCodeInput,
} from '@huifang/shared';
import { api, get, post } from '../../api/client.ts';

const KEY = ['kiosk'] as const;
export const useKioskUnits = () =>
  useQuery({ queryKey: [...KEY, 'units'], queryFn: () => get<TKioskUnits>('/kiosk/units') });
export const useDevices = () =>
  useQuery({
    queryKey: [...KEY, 'devices'],
    queryFn: () => get<{ items: TKioskDevice[] }>('/kiosk/devices'),
    refetchInterval: 30_000,
  });
export const useKioskSettings = (outletId: string | undefined) =>
  useQuery({
    queryKey: [...KEY, 'settings', outletId],
    queryFn: () => get<TKioskSettings>(`/kiosk/settings/${outletId}`),
    enabled: !!outletId,
  });

export const createPairingCode = (input: TPairingCodeInput) => post<TPairingCode>('/kiosk/pairing-codes', input);
export function useRevoke() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => post<TKioskDevice>(`/kiosk/devices/${id}/revoke`),
    onSuccess: () => qc.invalidateQueries({ queryKey: KEY }),
  });
}
export function useSaveSettings(outletId: string | undefined) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: TKioskSettingsInput) => api<TKioskSettings>('PUT', `/kiosk/settings/${outletId}`, input),
    onSuccess: () => qc.invalidateQueries({ queryKey: KEY }),
  });
}
